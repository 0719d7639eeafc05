# NaN written as such, without @missing true
@problemName toy
@timeStamps false
@univariate false
@dimensions 2
@classLabel true up down
@data
1,2,3:4,NaN,6:up
