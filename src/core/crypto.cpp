#include "core/crypto.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace fabrique::crypto {

void init() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not be initialised");
}

std::string random_token(std::size_t bytes) {
  init();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string text(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                   '\0');
  sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

Key random_key() {
  init();
  Key key;
  randombytes_buf(key.data(), key.size());
  return key;
}

namespace {

std::string blake2b_hex(const unsigned char* key, std::size_t key_size, std::string_view data) {
  init();
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), key, key_size);
  return to_hex(digest, sizeof digest);
}

}  // namespace

std::string hash_hex(std::string_view data) { return blake2b_hex(nullptr, 0, data); }

std::string keyed_hash_hex(const Key& key, std::string_view data) {
  return blake2b_hex(key.data(), key.size(), data);
}

Key derive_key(const Key& master, std::string_view context, std::uint64_t id) {
  init();
  if (context.size() != crypto_kdf_CONTEXTBYTES)
    throw std::logic_error("a key derivation context is exactly 8 characters");
  static_assert(std::tuple_size_v<Key> == crypto_kdf_KEYBYTES);
  char ctx[crypto_kdf_CONTEXTBYTES];
  std::copy(context.begin(), context.end(), ctx);
  Key derived;
  crypto_kdf_derive_from_key(derived.data(), derived.size(), id, ctx, master.data());
  return derived;
}

std::string sha256_hex(std::string_view data) {
  init();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(digest, sizeof digest);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  init();
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  init();
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
}

bool from_hex(std::string_view hex, unsigned char* out, std::size_t size) {
  init();
  if (hex.size() != size * 2) return false;
  std::size_t written = 0;
  return sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == size;
}

}  // namespace fabrique::crypto
