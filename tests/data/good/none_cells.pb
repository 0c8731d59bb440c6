META
key;value
description;none cells
num_projects;3
num_votes;none
budget;2000
vote_type;none
min_length;2.0
max_length;none
max_sum_points;none
min_project_score_threshold;none
PROJECTS
project_id;cost;name;selected;score
1;500;A;1;12
2;999999999;Not feasible;none;none
3;700;C;0;
VOTES
voter_id;vote
u1;1,2
u2;2,3
