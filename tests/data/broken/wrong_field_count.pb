META
key;value
description;test
num_projects;3
num_votes;2
budget;1000
vote_type;approval
PROJECTS
project_id;cost;name;category;selected
1;400;"Park
with a
long name";green;1
2;300;Library
3;500;Bike lanes;mobility;0
VOTES
voter_id;vote
v1;1,2
v2;3
