// the model-file reader must not see the engine.
#include "engine/partition.hpp"
int main() { return 0; }
