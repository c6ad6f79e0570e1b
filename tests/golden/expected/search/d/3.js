SitegenSearch.add("d/3",{"u":"shehui-jiuzhu/linshi-jiuzhu.html","t":"临时救助办事指南","d":"2023-03-01","b":"申请人向户籍所在地乡镇人民政府提出申请。"});
