META
key;value
description;test
num_projects;3
num_votes;2
budget;1000
vote_type;approval
PROJECTS
project_id;cost;name
c1;400;Park
c2;300;Library
c1;500;Bike lanes
VOTES
voter_id;vote
v1;c1
v2;c2
