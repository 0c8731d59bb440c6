META
key;value
num_projects;3
num_votes;3
budget;250,5
vote_type;cumulative
max_sum_points;5
PROJECTS
project_id;cost;score;name
x1;100.25;7;"One; two"
x2;50;3;"""Quoted"" name"
x3;0;none;Free
VOTES
voter_id;vote;points;sex
v1;x1,x2;3,2;F
v2;x2;5;M
v3;;;
