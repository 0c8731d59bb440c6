#include "residency/model.hpp"

namespace fabrique::residency {

std::string_view import_status_name(ImportStatus status) {
  switch (status) {
    case ImportStatus::Running:
      return "running";
    case ImportStatus::Done:
      return "done";
    case ImportStatus::Rejected:
      return "rejected";
    case ImportStatus::Failed:
      return "failed";
  }
  return "failed";
}

std::optional<ImportStatus> parse_import_status(std::string_view name) {
  for (ImportStatus status :
       {ImportStatus::Running, ImportStatus::Done, ImportStatus::Rejected, ImportStatus::Failed})
    if (import_status_name(status) == name) return status;
  return std::nullopt;
}

Text import_status_label(ImportStatus status) {
  switch (status) {
    case ImportStatus::Running:
      return {"running", "en cours"};
    case ImportStatus::Done:
      return {"done", "terminé"};
    case ImportStatus::Rejected:
      return {"refused, nothing imported", "refusé, rien n'a été importé"};
    case ImportStatus::Failed:
      return {"failed", "échoué"};
  }
  return {"failed", "échoué"};
}

std::string_view method_name(VerificationMethod method) {
  return method == VerificationMethod::Online ? "online" : "counter";
}

}  // namespace fabrique::residency
