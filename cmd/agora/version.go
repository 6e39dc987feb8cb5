package main

// version is reported in NodeInfo and the User-Agent of federation requests.
const version = "0.1.0"
