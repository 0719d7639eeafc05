# toy
@problemName toy
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength true
@classLabel true up down
@data
1,2:3,4:up
1,2:3,4:left
