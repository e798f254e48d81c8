// cells may include the numerics below them.
#include "cable/hines_solver.hpp"
#include "cells/cell_group.hpp"
int main() { return 0; }
