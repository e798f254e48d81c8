// front ends see only include/ranvier/, not the private sources.
#include "engine/partition.hpp"
int main() { return 0; }
