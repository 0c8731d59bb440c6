META
key;value
description;test
num_projects;3
num_votes;2
budget;-1000
vote_type;approval
PROJECTS
project_id;cost;name
1;400;Park
2;300;Library
3;500;Bike lanes
VOTES
voter_id;vote
v1;1,2
v2;3
