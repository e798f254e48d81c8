// numerics must not see cell groups.
#include "cells/cell_group.hpp"
int main() { return 0; }
