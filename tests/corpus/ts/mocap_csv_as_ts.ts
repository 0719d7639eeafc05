Frame;Time;hips;hips;hips
;;X;Y;Z
0;0.00;0.015;7.237;-0.249
