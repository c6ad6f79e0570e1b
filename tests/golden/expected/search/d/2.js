SitegenSearch.add("d/2",{"u":"yiwu-jiaoyu/zhaosheng.html","t":"2024年义务教育招生工作方案","d":"2024-04-01","b":"按照“免试就近入学”原则做好招生工作。"});
