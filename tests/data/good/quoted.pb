META
key;value
description;"Quoted; with a semicolon and ""quotes"""
num_projects;3
num_votes;2
budget;1000
PROJECTS
project_id;cost;name;category
1;100;"Park; phase ""two""";green
2;200;"A name
on two lines";culture
"3";300;"""Quoted"" at the start";sport
VOTES
voter_id;vote
"v;1";"1,2"
v2;"3"
