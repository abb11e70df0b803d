// Loading a shared library and looking up its exports: the one platform-specific piece of
// running a driver plugin (dlopen on POSIX, LoadLibrary on Windows).
#pragma once

#include <memory>
#include <string>

namespace vmbsim::plugin {

class SharedLibrary {
 public:
  // Null, with the loader's reason in `error`, if the library cannot be loaded.
  static std::unique_ptr<SharedLibrary> open(const std::string& path, std::string& error);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // The address of an exported symbol; null if there is none.
  void* symbol(const char* name) const;
  const std::string& path() const { return path_; }

 private:
  SharedLibrary(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  void* handle_;
  std::string path_;
};

}  // namespace vmbsim::plugin
