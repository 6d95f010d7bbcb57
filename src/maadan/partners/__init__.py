"""Partners: a directory of organisations with capabilities, minerals and regions; ranked matches."""
