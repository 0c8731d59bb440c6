META
key;value
description;project ids that are not numbers
num_projects;3
num_votes;3
budget;500000
vote_type;ordinal
PROJECTS
project_id;cost;name
c1;100000;First
M/04/XI;200000;Second
P0040;300000;Third
VOTES
voter_id;vote
1400184215;M/04/XI,c1
1400184219; P0040 , c1 ,M/04/XI
vote01006bcf;P0040
