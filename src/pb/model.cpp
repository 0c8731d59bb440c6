#include "pb/model.hpp"

namespace fabrique::pb {

std::string to_string(VoteType type) {
  switch (type) {
    case VoteType::Approval:
      return "approval";
    case VoteType::Ordinal:
      return "ordinal";
    case VoteType::Cumulative:
      return "cumulative";
    case VoteType::Scoring:
      return "scoring";
    case VoteType::ChooseOne:
      return "choose-1";
  }
  return "approval";
}

}  // namespace fabrique::pb
