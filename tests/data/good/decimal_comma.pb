META
key;value
description;decimal commas in budget and costs, comma lists in vote and points
num_projects;3
num_votes;2
budget;1000,5
vote_type;cumulative
max_sum_points;10,0
PROJECTS
project_id;cost;name
1;100;A
2;250,25;B
3;"300,1";C
VOTES
voter_id;vote;points
a;1,2;6,4
b;3,2,1;5,3,2
