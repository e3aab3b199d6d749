"""Schools, enterprises, their hosts, the review queue and the public directory."""
