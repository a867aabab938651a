// Runs the programs the plugin drives (ovs-vsctl, ovs-ofctl,
// interface-reconfigure) with an argument vector, no shell.
#pragma once

#include <string>
#include <vector>

namespace xapi {

struct RunResult {
    bool started = false;   // false: the program could not be executed (see error)
    int status = -1;        // exit status; 128+N when killed by signal N
    std::string out;        // standard output
    std::string error;      // why it could not be started
};

// Runs argv[0] with argv; standard output is captured, standard error
// passes through.
RunResult run(const std::vector<std::string>& argv);

}  // namespace xapi
