// The ovs-vsctl commands: their syntax (argument counts, options, whether
// they write) and what they do to the View.  Parsing a command line into
// Commands is here too, with Open vSwitch's messages.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "utilities/vsctl/context.hpp"
#include "utilities/vsctl/table_out.hpp"

namespace vsctl {

struct Syntax {
    const char* name;
    int min_args;
    int max_args;
    const char* arguments;    // for --commands
    void (*run)(Context&, Command&);
    const char* options;      // e.g. "--if-exists,--id="
    bool writes;
    bool post_create = false; // output is a created row's UUID, to resolve after commit
};

struct Command {
    const Syntax* syntax = nullptr;
    std::vector<std::string> argv;   // argv[0] is the command name
    std::map<std::string, std::optional<std::string>> options;
    std::string output;
    std::optional<OutTable> table;
    std::optional<Uuid> created;     // for post_create

    bool has(const std::string& opt) const { return options.count(opt) > 0; }
    std::optional<std::string> option(const std::string& opt) const {
        auto it = options.find(opt);
        return it == options.end() ? std::nullopt : it->second;
    }
};

const std::vector<Syntax>& all_commands();

// Splits the arguments after the global options at "--" into commands.
// `local_options` are per-command options given before the first command
// (e.g. `ovs-vsctl --may-exist add-br br0`).  Throws Fatal.
std::vector<Command> parse_commands(const std::vector<std::string>& args,
                                    std::map<std::string, std::optional<std::string>> local_options);

// Logs "Called as ..." (at INFO when a command writes, as Open vSwitch does).
void log_invocation(const std::string& args, const std::vector<Command>& commands);
// Warns about @ids created without a strong reference to them.
void warn_unreferenced(const std::map<std::string, Symbol>& symbols);

// Every option name any command accepts ("--if-exists", "--id", ...), with
// whether it takes a value.
std::map<std::string, bool> command_options();

}  // namespace vsctl
