# a series with an infinite value
@problemName toy
@timeStamps false
@missing false
@univariate false
@dimensions 2
@classLabel true up down
@data
1,2,3:4,5,6:up
1,inf,3:4,5,6:down
