META
key;value
description;approval seed
num_projects;3
num_votes;4
budget;1000
vote_type;approval
min_length;1
max_length;2
PROJECTS
project_id;cost;votes;name;selected
1;400;3;Park;1
2;300;2;Library;1
3;999999999;1;Moon base;0
VOTES
voter_id;vote
a;1,2
b;1
c;3
d;2,1
