// `ranvier build-mechanisms` (see build_mechanisms_command.hpp).
#include "build_mechanisms_command.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/mechanisms.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>

namespace ranvier::cli {

int build_mechanisms_command(const build_mechanisms_arguments& args) {
    try {
        const mechanism_build built = build_mechanisms(args.dir, args.quiet ? nullptr : &std::cout);
        if (!args.quiet) {
            if (!built.compiled) std::cout << "up to date: " << built.library << "\n";
            for (std::size_t k = 0; k < built.mechanisms.size(); ++k)
                std::cout << "  " << built.mechanisms[k] << "  (" << built.mod_files[k] << ")\n";
        }
        if (!args.out.empty()) {
            std::filesystem::copy_file(built.library, args.out,
                                       std::filesystem::copy_options::overwrite_existing);
            if (!args.quiet) std::cout << "copied to " << args.out << "\n";
        }
        return 0;
    } catch (const user_error& e) {
        std::cerr << "ranvier build-mechanisms: error: " << e.what() << "\n";
    } catch (const std::filesystem::filesystem_error& e) {
        std::cerr << "ranvier build-mechanisms: error: " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "ranvier build-mechanisms: " << e.what() << "\n";
    }
    return 1;
}

} // namespace ranvier::cli
