#include "moewb/moe/ExpertPartition.h"

#include "moewb/util/ContentHash.h"
#include "moewb/util/JsonFile.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace moewb {

namespace {

bool isPowerOfTwo(int n) {
    return n > 0 && (n & (n - 1)) == 0;
}

[[noreturn]] void invalidPartition(const std::string& what) {
    throw std::invalid_argument("invalid expert partition: " + what);
}

// A JSON array of neuron ids (checked: get<std::vector<int>>() converts floats unchecked).
std::vector<int> neuronList(const nlohmann::json& array, const std::string& field) {
    if (!array.is_array()) {
        throw std::invalid_argument("'" + field + "' must be an array of neuron ids");
    }
    std::vector<int> neurons;
    neurons.reserve(array.size());
    for (const auto& neuron : array) {
        neurons.push_back(jsonInteger<int>(neuron, field));
    }
    return neurons;
}

// Where a neuron was first seen, to name both places when it appears twice.
std::string placeName(int expert) {
    return expert < 0 ? std::string("the shared neurons") : "expert " + std::to_string(expert);
}

}  // namespace

void validatePartitionOptions(int dFf, int numExperts) {
    if (dFf <= 0) {
        throw std::invalid_argument("d_ff must be positive to split it into experts (got " +
                                    std::to_string(dFf) + ")");
    }
    if (numExperts >= 2 && isPowerOfTwo(numExperts) && dFf % numExperts == 0) {
        return;
    }
    std::string choices;
    for (long long n = 2; n <= dFf && dFf % n == 0; n *= 2) {
        choices += (choices.empty() ? "" : ", ") + std::to_string(n);
    }
    std::string message = "cannot split d_ff = " + std::to_string(dFf) + " neurons into " +
                          std::to_string(numExperts) +
                          " experts: the number of experts must be a power of two >= 2 that "
                          "divides d_ff, so that every expert has exactly d_ff / N neurons; ";
    if (choices.empty()) {
        message += "d_ff is odd, so no such number exists (use a model with an even d_ff)";
    } else {
        message += "choose one of " + choices;
    }
    throw std::invalid_argument(message);
}

void ExpertPartition::validate(int dFf) const {
    if (dFf <= 0) {
        invalidPartition("d_ff must be positive (got " + std::to_string(dFf) + ")");
    }
    if (numExperts < 1 || static_cast<int>(experts.size()) != numExperts) {
        invalidPartition("it declares " + std::to_string(numExperts) + " experts but lists " +
                         std::to_string(experts.size()));
    }
    const std::size_t size = experts.front().size();
    if (size == 0) {
        invalidPartition("expert 0 is empty");
    }
    for (int e = 1; e < numExperts; ++e) {
        if (experts[e].size() != size) {
            invalidPartition("all experts must have the same size, but expert 0 has " +
                             std::to_string(size) + " neurons and expert " + std::to_string(e) +
                             " has " + std::to_string(experts[e].size()));
        }
    }
    // -2: not seen yet; -1: shared; e >= 0: expert e.
    std::vector<int> seen(static_cast<std::size_t>(dFf), -2);
    auto visit = [&](int neuron, int place) {
        if (neuron < 0 || neuron >= dFf) {
            invalidPartition(placeName(place) + " lists neuron " + std::to_string(neuron) +
                             ", outside [0, " + std::to_string(dFf) + ")");
        }
        if (seen[neuron] != -2) {
            invalidPartition("neuron " + std::to_string(neuron) + " is listed in " +
                             placeName(seen[neuron]) + " and again in " + placeName(place) +
                             "; each neuron must be in exactly one expert or shared");
        }
        seen[neuron] = place;
    };
    for (int e = 0; e < numExperts; ++e) {
        for (int neuron : experts[e]) {
            visit(neuron, e);
        }
    }
    for (int neuron : shared) {
        visit(neuron, -1);
    }
    for (int neuron = 0; neuron < dFf; ++neuron) {
        if (seen[neuron] == -2) {
            invalidPartition("neuron " + std::to_string(neuron) +
                             " is in no expert (d_ff = " + std::to_string(dFf) + ")");
        }
    }
}

int ExpertPartition::neuronCount() const {
    std::size_t count = shared.size();
    for (const auto& expert : experts) {
        count += expert.size();
    }
    return static_cast<int>(count);
}

int ExpertPartition::expertSize() const {
    return experts.empty() ? 0 : static_cast<int>(experts.front().size());
}

uint64_t expertLayoutHash(int numExperts, int sharedNeurons, const std::vector<int>& neuronOrder) {
    ContentHash hash;
    hash.add(numExperts).add(sharedNeurons).add(static_cast<int64_t>(neuronOrder.size()));
    for (int neuron : neuronOrder) {
        hash.add(neuron);
    }
    return hash.value();
}

uint64_t ExpertPartition::layoutHash() const {
    return expertLayoutHash(numExperts, static_cast<int>(shared.size()), permutation());
}

std::vector<int> ExpertPartition::permutation() const {
    std::vector<int> order;
    order.reserve(static_cast<std::size_t>(neuronCount()));
    for (const auto& expert : experts) {
        order.insert(order.end(), expert.begin(), expert.end());
    }
    order.insert(order.end(), shared.begin(), shared.end());
    return order;
}

std::vector<int> ExpertPartition::expertOf() const {
    const int dFf = neuronCount();
    validate(dFf);
    std::vector<int> owner(static_cast<std::size_t>(dFf), -1);
    for (int e = 0; e < numExperts; ++e) {
        for (int neuron : experts[e]) {
            owner[neuron] = e;
        }
    }
    return owner;
}

nlohmann::json ExpertPartition::toJson() const {
    nlohmann::json figures = nlohmann::json::object();
    for (const auto& [name, value] : quality) {
        figures[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
    }
    return {{"method", method},   {"num_experts", numExperts}, {"expert_size", expertSize()},
            {"experts", experts}, {"shared", shared},          {"quality", figures}};
}

ExpertPartition ExpertPartition::fromJson(const nlohmann::json& json) {
    ExpertPartition p;
    const char* field = "(the partition itself)";
    try {
        if (!json.is_object()) {
            throw std::invalid_argument("not an object");
        }
        field = "method";
        p.method = json.at(field).get<std::string>();
        field = "num_experts";
        p.numExperts = jsonInteger<int>(json.at(field), field);
        field = "experts";
        if (!json.at(field).is_array()) {
            throw std::invalid_argument("'experts' must be an array of neuron lists");
        }
        for (const auto& expert : json.at(field)) {
            p.experts.push_back(neuronList(expert, field));
        }
        field = "shared";
        if (json.contains(field)) {
            p.shared = neuronList(json.at(field), field);
        }
        field = "quality";
        if (json.contains(field)) {
            for (const auto& [name, value] : json.at(field).items()) {
                p.quality[name] = value.is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                  : value.get<double>();
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("expert partition JSON: bad or missing field '") +
                                    field + "': " + e.what());
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("expert partition JSON: ") + e.what());
    }
    return p;
}

}  // namespace moewb
