// Reading a [[population]] of artificial cells (cell = "artificial"):
//   [[population]]
//   name = "fire"  size = 3  cell = "artificial"
//   mechanism = "IntervalFire"  tau = "5 ms"  invl = "10 ms"
// The mechanism must be an ARTIFICIAL_CELL of the model's catalogue; every
// other key is one of its PARAMETERs, checked and converted to the unit its
// .mod file declares (read_mechanism, as for painted mechanisms). Connections
// onto it give NET_RECEIVE's arguments: `weight` a plain number in the
// .mod file's unit of the first argument, `extra_weights` the others.
#include "model/model_reading.hpp"

#include "cable/mechanisms/mechanism_catalogue.hpp"

namespace ranvier {

population_spec read_artificial_population(const toml_table_reader& r, population_spec p,
                                           const cable::mechanism_catalogue& mechanisms) {
    p.kind = cell_kind::artificial;
    auto [name, values] = read_mechanism(r, {"name", "size", "cell"}, mechanisms);
    const auto& type = mechanisms.type(name);
    if (!type.artificial_cell)
        r.fail("mechanism", "'" + name + "' is not an ARTIFICIAL_CELL (" +
                                (type.kind == cable::mechanism_kind::point ? "a point process: place it on a "
                                                                             "cable cell's synapses or stimuli"
                                                                           : "a density mechanism: paint it on a "
                                                                             "cable cell") +
                                ")");
    p.artificial.mechanism = name;
    p.artificial.parameters = std::move(values);
    return p;
}

} // namespace ranvier
