PROJECTS
project_id;cost;name
1;400;Park
2;300;Library
3;500;Bike lanes
VOTES
voter_id;vote
v1;1,2
v2;3
