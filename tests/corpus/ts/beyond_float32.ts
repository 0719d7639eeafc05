@problemName toy
@classLabel true up down
@data
1,2,3:up
1,2,4e38:down
