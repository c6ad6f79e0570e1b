SitegenSearch.add("a/6389e038",{"i":[0,2,4,6,8,9],"m":"EAAQAAAAAgIgCAGAARABAA=="});
