// Templates and static assets are compiled into the binary, so that one
// file is the whole program (cmake/embed_files.cmake generates the table).
#pragma once

#include <string_view>
#include <vector>

namespace fabrique::web {

struct EmbeddedFile {
  std::string_view name;  // relative to src/: "accounts/templates/sign_in.mustache"
  std::string_view content;
};

const std::vector<EmbeddedFile>& embedded_files();

}  // namespace fabrique::web
