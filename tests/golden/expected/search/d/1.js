SitegenSearch.add("d/1",{"u":"shehui-jiuzhu/dibao-jiedu.html","t":"《关于调整城乡低保标准的通知》解读","d":"2024-06-05","b":"一、调整背景\n提高保障水平，让困难群众共享发展成果。"});
