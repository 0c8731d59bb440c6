META
key;value
description;BOM and CRLF line ends
num_projects;2
num_votes;2
budget;400000.0
vote_type;approval
currency;EUR
PROJECTS
project_id;cost;votes;name
37;40000.0;1;Clarifier les priorités
31;100000.0;2;Aire de jeux
VOTES
voter_id;vote
6-12;37,31
6-15;31


  
