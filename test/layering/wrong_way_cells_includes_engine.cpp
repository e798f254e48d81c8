// cells must not see the engine that drives them.
#include "engine/partition.hpp"
int main() { return 0; }
