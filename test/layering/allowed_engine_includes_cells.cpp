// the engine may include cells.
#include "cells/cell_group.hpp"
#include "engine/partition.hpp"
int main() { return 0; }
