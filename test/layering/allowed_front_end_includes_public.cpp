// front ends see the public headers.
#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>
int main() { return 0; }
