META
key;value
description;points over max_sum_points
num_projects;3
num_votes;3
budget;1000
vote_type;cumulative
max_sum_points;10
PROJECTS
project_id;cost;name
1;100;A
2;200;B
3;300;C
VOTES
voter_id;vote;points
v1;1,2;6,4
v2;1,2,3;5,5,2
v3;3;10
