#include "core/secrets.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fabrique {

namespace {

bool read_key(const std::string& line, std::string_view name, crypto::Key& key) {
  const std::string prefix = std::string(name) + "=";
  if (!line.starts_with(prefix)) return false;
  return crypto::from_hex(std::string_view(line).substr(prefix.size()), key.data(), key.size());
}

}  // namespace

Secrets load_or_create_secrets(const std::filesystem::path& path) {
  Secrets secrets{};
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    bool forms = false, census = false, ballots = false;
    for (std::string line; std::getline(in, line);) {
      forms = forms || read_key(line, "forms", secrets.forms);
      census = census || read_key(line, "census", secrets.census);
      ballots = ballots || read_key(line, "ballots", secrets.ballots);
    }
    if (!forms || !census)
      throw std::runtime_error("the secret file " + path.string() +
                               " is damaged (expected forms= and census= keys)");
    if (!ballots) {
      // A file from before ballots: add the key. Two instances upgrading at
      // once may both append; everyone reads the first, so all agree.
      const crypto::Key fresh = crypto::random_key();
      {
        std::ofstream out(path, std::ios::app);
        out << "ballots=" << crypto::to_hex(fresh.data(), fresh.size()) << "\n";
        out.flush();
        if (!out) throw std::runtime_error("cannot write the secret file " + path.string());
      }
      std::ifstream again(path);
      for (std::string line; std::getline(again, line);)
        if (read_key(line, "ballots", secrets.ballots)) break;
    }
    return secrets;
  }
  secrets.forms = crypto::random_key();
  secrets.census = crypto::random_key();
  secrets.ballots = crypto::random_key();
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    const mode_t previous = ::umask(077);
    std::ofstream out(temporary, std::ios::trunc);
    ::umask(previous);
    out << "# Fabrique instance secrets: keep with the database, never publish.\n"
        << "forms=" << crypto::to_hex(secrets.forms.data(), secrets.forms.size()) << "\n"
        << "census=" << crypto::to_hex(secrets.census.data(), secrets.census.size()) << "\n"
        << "ballots=" << crypto::to_hex(secrets.ballots.data(), secrets.ballots.size()) << "\n";
    out.flush();
    if (!out) throw std::runtime_error("cannot write the secret file " + path.string());
  }
  std::filesystem::rename(temporary, path);
  return secrets;
}

std::filesystem::path default_secret_file(const std::string& database_url) {
  std::string file = database_url;
  if (file.starts_with("sqlite:")) file = file.substr(7);
  if (file.starts_with("postgres://") || file.starts_with("postgresql://") || file.empty() ||
      file == ":memory:")
    return "fabrique.secret";
  return file + ".secret";
}

}  // namespace fabrique
