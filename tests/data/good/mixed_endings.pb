META
key;value
description;mixed line endsnum_projects;2
num_votes;3
budget;100
PROJECTS
project_id;cost
1;602;40
VOTES
voter_id;vote;points
a;1;1
b;;
c;2,1;1,2