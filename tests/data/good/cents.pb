META
key;value
description;costs with cents
num_projects;3
num_votes;1
budget;5000
PROJECTS
project_id;cost;name
1;1250.50;With cents
2;999.99;Almost a thousand
3;100.000;Trailing zeros
VOTES
voter_id;vote
x;1,2,3
