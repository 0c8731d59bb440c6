// Running the built `fabrique` binary as a user would, capturing what it
// prints and its exit status.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/paths.hpp"
#include "support/temp_dir.hpp"

namespace fabrique::test {

struct CliRun {
  int status = -1;  // the exit status; -1 when it did not exit normally
  std::string out;
  std::string err;
};

// `arg` quoted for the shell.
inline std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs a shell command line (a pipeline of `fabrique` commands, say):
// its stdout, its stderr and the exit status of its last command.
inline CliRun run_shell(const std::string& command) {
  const TempDir scratch("cli-run");
  const auto err_path = scratch / "stderr";
  CliRun run;
  FILE* pipe = ::popen(("( " + command + " ) 2>" + shell_quote(err_path.string())).c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  run.err.assign(std::istreambuf_iterator<char>(err), {});
  return run;
}

// `fabrique ARGS...` (the binary this build made), as a shell command line.
inline std::string fabrique_command(const std::vector<std::string>& args) {
  std::string command = shell_quote(fabrique_binary());
  for (const auto& arg : args) command += " " + shell_quote(arg);
  return command;
}

// Runs `fabrique ARGS...`.
inline CliRun run_fabrique(const std::vector<std::string>& args) {
  return run_shell(fabrique_command(args));
}

}  // namespace fabrique::test
