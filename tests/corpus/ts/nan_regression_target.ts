# a regression target written NaN
@problemName toy
@timeStamps false
@missing true
@univariate true
@targetLabel true
@data
1,2,3:0.5
4,?,6:NaN
