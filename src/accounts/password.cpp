#include "accounts/password.hpp"

#include <sodium.h>

#include <semaphore>
#include <stdexcept>

#include "core/crypto.hpp"

namespace fabrique::accounts {

namespace {

std::counting_semaphore<2>& hashing_slots() {
  static std::counting_semaphore<2> slots(2);
  return slots;
}

struct Slot {
  Slot() { hashing_slots().acquire(); }
  ~Slot() { hashing_slots().release(); }
};

}  // namespace

std::string hash_password(std::string_view password) {
  crypto::init();
  Slot slot;
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return hash;
}

bool verify_password(std::string_view password, const std::string& hash) {
  crypto::init();
  Slot slot;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash) {
  crypto::init();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

}  // namespace fabrique::accounts
