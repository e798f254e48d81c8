// mechanisms = ["mod/", ...]: directories of .mod files whose mechanisms the
// model's cable cells may use after the built-ins (docs/model-file.md,
// docs/nmodl.md). Built on first use and cached by content.
#include "cable/mechanisms/mechanism_catalogue.hpp"
#include "model/model_reading.hpp"

#include <ranvier/mechanisms.hpp>

#include <filesystem>
#include <iostream>

namespace ranvier {

void read_mechanisms(const toml_table_reader& r, std::string_view key, const std::string& base,
                     network_model& model) {
    const toml_value* v = r.find(key);
    if (!v->is_array())
        r.fail(key, "expected a list of directories holding .mod files, such as [\"mod/\"], got " +
                        describe_toml_type(*v));
    std::vector<std::string> dirs;
    const std::filesystem::path from = std::filesystem::path(base).parent_path();
    for (const auto& item : v->as_array()) {
        if (!item.is_string())
            r.fail(key, "every entry must be a directory (a string, relative to the model file), got " +
                            describe_toml_type(item));
        const std::filesystem::path dir = item.as_string().str;
        dirs.push_back(std::filesystem::absolute(dir.is_absolute() ? dir : from / dir).lexically_normal().string());
    }
    try {
        // Compiling takes seconds: say so on the console (nothing when cached).
        model.mechanisms = load_mechanisms(dirs, &std::clog);
    } catch (const user_error& e) {
        r.fail(key, e.what());
    }
    model.mechanism_dirs = std::move(dirs);
}

} // namespace ranvier
