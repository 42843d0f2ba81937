#include "moewb/moe/RouterSet.h"

#include "../nmt/TokenBatches.h"
#include "moewb/nmt/NmtModel.h"
#include "moewb/util/ContentHash.h"
#include "moewb/util/ErrorText.h"
#include "moewb/util/JsonFile.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

namespace moewb {
namespace {

// Version 2 added "num_experts" and "partition_hash" (required from then on).
constexpr int kRouterVersion = 2;

// Records the FFN inputs (and token ids) of real tokens and otherwise computes the dense FFN.
class InputCapture : public FfnOverride {
public:
    void setTokenMask(const torch::Tensor& mask) {
        m_rows = mask.reshape({-1}).nonzero().squeeze(1);
    }
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x) override {
        return forward(ffn, x, torch::Tensor());
    }
    torch::Tensor forward(const FeedForwardImpl& ffn, const torch::Tensor& x,
                          const torch::Tensor& tokenIds) override {
        m_seen.push_back(x.index_select(0, m_rows).clone());
        if (!tokenIds.defined()) {
            throw std::logic_error("the Transformer passed no token ids to the FFN");
        }
        m_ids.push_back(tokenIds.index_select(0, m_rows).clone());
        return ffn.dense(x);
    }
    torch::Tensor inputs() const { return torch::cat(m_seen, 0); }
    torch::Tensor tokenIds() const { return torch::cat(m_ids, 0); }

private:
    torch::Tensor m_rows;
    std::vector<torch::Tensor> m_seen, m_ids;
};

nlohmann::json tensorToJson(const torch::Tensor& t) {
    const auto c = t.contiguous().to(torch::kFloat);
    return {{"shape", c.sizes().vec()},
            {"data", std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())}};
}

// A [rows, cols] float matrix, checked before LibTorch sees it: a crafted shape (negative, huge,
// fractional, not matching the data) or a NaN is an error naming the tensor, never a LibTorch
// backtrace.
torch::Tensor tensorFromJson(const nlohmann::json& j, const std::string& name) {
    const auto& shape = j.at("shape");
    if (!shape.is_array() || shape.size() != 2) {
        throw std::runtime_error(name + " has the invalid shape " + shape.dump() +
                                 " (a matrix [rows, columns] is expected)");
    }
    // jsonInteger: get<int64_t>() would convert an out-of-range float with undefined behaviour.
    const int64_t rows = jsonInteger<int64_t>(shape[0], name + " shape");
    const int64_t columns = jsonInteger<int64_t>(shape[1], name + " shape");
    constexpr int64_t kMaxSide = int64_t(1) << 20;
    if (rows < 1 || columns < 1 || rows > kMaxSide || columns > kMaxSide) {
        throw std::runtime_error(name + " has the invalid shape " + shape.dump() +
                                 " (a matrix of positive sides is expected)");
    }
    const auto& values = j.at("data");
    if (!values.is_array() || static_cast<int64_t>(values.size()) != rows * columns) {
        throw std::runtime_error(
            name + " holds " + (values.is_array() ? std::to_string(values.size()) : "no") +
            " numbers, its shape " + shape.dump() + " " + std::to_string(rows * columns));
    }
    std::vector<float> data;
    data.reserve(values.size());
    for (const auto& value : values) {
        // Read as double: a value beyond float's range must be refused, not cast (undefined).
        const double v = value.get<double>();
        if (!(std::abs(v) <= std::numeric_limits<float>::max())) {
            throw std::runtime_error(name + " holds a weight that is not a finite float (" +
                                     value.dump() + ")");
        }
        data.push_back(static_cast<float>(v));
    }
    return torch::tensor(data, torch::kFloat).view({rows, columns}).clone();
}

// What saveRouterSet writes, without "format" and "version" (writeJsonFile adds those).
nlohmann::json routerDocument(const RouterSet& set) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t l = 0; l < set.layers.size(); ++l) {
        nlohmann::json layer = {{"recall", set.quality[l].recall},
                                {"mass_coverage", set.quality[l].massCoverage},
                                {"load", set.quality[l].load},
                                {"load_cv", set.quality[l].loadCv}};
        if (const auto* mlp = dynamic_cast<const MlpRouter*>(set.layers[l].get())) {
            layer["first"] = tensorToJson(mlp->first());
            layer["second"] = tensorToJson(mlp->second());
        } else if (const auto* gate = dynamic_cast<const GateRouter*>(set.layers[l].get())) {
            layer["weight"] = tensorToJson(gate->weight());
        } else if (const auto* hash = dynamic_cast<const HashRouter*>(set.layers[l].get())) {
            layer["seed"] = hash->seed();
            layer["num_experts"] = hash->numExperts();
        }
        layers.push_back(layer);
    }
    nlohmann::json document = {{"kind", set.kind},
                               {"partition", set.partition},
                               {"num_experts", set.numExperts},
                               {"partition_hash", set.partitionHash},
                               {"layers", layers}};
    if (!set.model.empty()) {
        document["model"] = set.model;
    }
    return document;
}

// The identity of a router document: its compact JSON without the format fields. Saving and
// reading back give the same text (numbers round-trip exactly, keys are sorted).
std::string contentHashOf(nlohmann::json document) {
    document.erase("format");
    document.erase("version");
    return ContentHash()
        .add(document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .hex();
}

RouterFileHeader headerOf(const nlohmann::json& document, const std::string& path) {
    RouterFileHeader header;
    try {
        header.kind = document.at("kind").get<std::string>();
        header.partition = document.value("partition", std::string());
        header.model = document.value("model", std::string());
        header.version = jsonInteger<int>(document.at("version"), "version");
        if (header.version >= 2) {
            header.numExperts = jsonInteger<int>(document.at("num_experts"), "num_experts");
            header.partitionHash = document.at("partition_hash").get<std::string>();
            if (header.partitionHash.empty()) {
                throw std::runtime_error("empty partition_hash");
            }
        } else {
            // Version 1 recorded no N; every layer's recall table has one entry per K = 1..N.
            header.numExperts = static_cast<int>(document.at("layers").at(0).at("recall").size());
        }
        if (header.numExperts < 1) {
            throw std::runtime_error("it routes over " + std::to_string(header.numExperts) +
                                     " experts");
        }
    } catch (const std::exception& error) {
        throw std::runtime_error(path + ": not a valid router file (" + errorText(error) +
                                 "); re-run the Routers step");
    }
    header.contentHash = contentHashOf(document);
    return header;
}

// What to run again for a router that no longer fits its partition.
std::string rerunAdvice(const std::string& routerPath, const RouterFileHeader& header) {
    const std::filesystem::path file(routerPath);
    const std::string project = file.parent_path().parent_path().string();
    if (!header.model.empty()) {
        return "re-run the Finetune step that made it (moewb finetune " + project +
               " --partition " + header.partition + ")";
    }
    std::string command =
        "moewb route " + project + " --partition " + header.partition + " --router " + header.kind;
    if (file.stem().string() != header.partition + "-" + header.kind) {
        command += " --name " + file.stem().string();
    }
    return "re-run the Routers step over it (" + command + ")";
}

}  // namespace

std::vector<std::shared_ptr<ExpertFfn>> buildExperts(NmtModel& model, const PartitionSet& set) {
    auto ffns = model.transformer()->feedForwards();
    if (set.layers.size() != ffns.size()) {
        throw std::invalid_argument("the partition has " + std::to_string(set.layers.size()) +
                                    " layers, the model " + std::to_string(ffns.size()) +
                                    "; partition this model again");
    }
    std::vector<std::shared_ptr<ExpertFfn>> experts;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        experts.push_back(std::make_shared<ExpertFfn>(*ffns[l], set.layers[l]));
    }
    return experts;
}

std::vector<torch::Tensor> collectFfnInputs(NmtModel& model, const std::vector<SentencePair>& pairs,
                                            int64_t tokenBudget, Feedback& feedback,
                                            std::vector<torch::Tensor>* tokenIds) {
    auto& transformer = model.transformer();
    auto ffns = transformer->feedForwards();
    // The captures go in a plan of this call only: the model stays as it is for other threads.
    std::vector<std::shared_ptr<InputCapture>> captures;
    FfnPlan plan;
    for (std::size_t l = 0; l < ffns.size(); ++l) {
        captures.push_back(std::make_shared<InputCapture>());
        plan.layers.push_back(captures.back());
    }
    const FfnPlanScope scope(&plan);
    if (tokenBudget < 1) {
        throw std::invalid_argument("the token budget of the FFN inputs must be at least 1, not " +
                                    std::to_string(tokenBudget));
    }
    const auto tokens = tokenizePairs(model.tokenizer(), pairs, model.config().maxPositions - 2);
    std::vector<const TokenPair*> chosen;
    int64_t budget = 0;
    for (const auto& t : tokens) {
        if (budget >= tokenBudget) {
            break;
        }
        chosen.push_back(&t);
        budget += static_cast<int64_t>(t.source.size() + t.target.size() + 1);
    }
    if (chosen.empty()) {
        throw std::invalid_argument("no sentence pairs to collect FFN inputs from");
    }
    transformer->eval();
    torch::InferenceMode inference;
    int64_t done = 0;
    for (const auto& batch : makeBatches(chosen, 3000, nullptr)) {
        feedback.throwIfCancelled();
        const auto srcReal = batch.source.ne(SentencePieceModel::kPadId);
        const auto tgtReal = batch.targetIn.ne(SentencePieceModel::kPadId);
        for (std::size_t l = 0; l < captures.size(); ++l) {
            captures[l]->setTokenMask(static_cast<int>(l) < model.config().encoderLayers ? srcReal
                                                                                         : tgtReal);
        }
        transformer->forward(batch.source, batch.targetIn);
        done += batch.tokens;
        feedback.setProgress(std::min(1.0, double(done) / std::max<int64_t>(budget, 1)),
                             "collecting FFN inputs");
    }
    std::vector<torch::Tensor> inputs;
    for (const auto& c : captures) {
        inputs.push_back(c->inputs());
    }
    if (tokenIds) {
        tokenIds->clear();
        for (const auto& c : captures) {
            tokenIds->push_back(c->tokenIds());
        }
    }
    return inputs;
}

RouterSet trainRouters(const std::vector<std::shared_ptr<ExpertFfn>>& experts,
                       const std::vector<torch::Tensor>& inputs,
                       const RouterTrainingOptions& options, Feedback& feedback,
                       const std::vector<torch::Tensor>* tokenIds) {
    if (experts.size() != inputs.size()) {
        throw std::invalid_argument("one input tensor per layer is needed");
    }
    const bool byToken = options.kind == "hash";
    if (byToken && (!tokenIds || tokenIds->size() != inputs.size())) {
        throw std::invalid_argument(
            "the hash router needs the token id of every FFN input to measure its quality: "
            "pass the token ids collectFfnInputs gives back");
    }
    if (experts.empty()) {
        throw std::invalid_argument("routers need the experts of at least one layer");
    }
    RouterSet set;
    set.kind = options.kind;
    set.numExperts = experts.front()->numExperts();
    set.partitionHash = partitionHash(experts);
    for (std::size_t l = 0; l < experts.size(); ++l) {
        SubFeedback layerFeedback(feedback, double(l) / experts.size(),
                                  double(l + 1) / experts.size());
        const auto& x = inputs[l];
        // A fixed shuffle separates the held-out tokens (also from the MLP's own validation).
        torch::manual_seed(static_cast<uint64_t>(options.mlp.seed + l));
        const auto order = torch::randperm(x.size(0));
        const int64_t heldOut = std::max<int64_t>(1, int64_t(x.size(0) * options.heldOutShare));
        const auto testRows = order.narrow(0, 0, heldOut);
        const auto test = x.index_select(0, testRows);
        const auto train = x.index_select(0, order.narrow(0, heldOut, x.size(0) - heldOut));
        torch::Tensor testIds;
        if (byToken) {
            if ((*tokenIds)[l].numel() != x.size(0)) {
                throw std::invalid_argument("layer " + std::to_string(l) + " has " +
                                            std::to_string(x.size(0)) + " FFN inputs but " +
                                            std::to_string((*tokenIds)[l].numel()) + " token ids");
            }
            testIds = (*tokenIds)[l].reshape({-1}).index_select(0, testRows);
        }
        std::shared_ptr<Router> router;
        if (options.kind == "oracle") {
            router = std::make_shared<OracleRouter>();
        } else if (options.kind == "similarity") {
            router = std::make_shared<SimilarityRouter>(*experts[l]);
        } else if (options.kind == "mlp") {
            auto mlp = std::make_shared<MlpRouter>(*experts[l]);
            mlp->train(train, *experts[l], options.mlp, layerFeedback);
            router = mlp;
        } else if (options.kind == "hash") {
            // Nothing to learn: the table is fixed by the seed (MoEBERT).
            router = std::make_shared<HashRouter>(options.hashSeed + l, experts[l]->numExperts());
        } else {
            throw std::invalid_argument("unknown router '" + options.kind +
                                        "': choose oracle, similarity, mlp or hash");
        }
        set.quality.push_back(evaluateRouter(*router, *experts[l], test, testIds));
        set.layers.push_back(router);
    }
    feedback.setProgress(1.0, "routers ready");
    return set;
}

std::string partitionHash(const std::vector<std::shared_ptr<ExpertFfn>>& experts) {
    std::vector<uint64_t> layers;
    for (const auto& layer : experts) {
        layers.push_back(layer->layoutHash());
    }
    return partitionHash(layers);
}

std::string saveRouterSet(const std::string& path, const RouterSet& set) {
    if (set.numExperts < 1 || set.partitionHash.empty()) {
        throw std::invalid_argument("saveRouterSet: the router set for " + path +
                                    " does not record its partition (numExperts, partitionHash)");
    }
    const auto document = routerDocument(set);
    writeJsonFile(path, document, "moewb-router", kRouterVersion);
    return contentHashOf(document);
}

RouterFileHeader readRouterHeader(const std::string& path) {
    return headerOf(readJsonFile(path, "moewb-router", kRouterVersion), path);
}

std::string routerPartitionMismatch(const std::string& routerPath, const RouterFileHeader& header,
                                    const std::string& partitionPath,
                                    const PartitionSet& partition) {
    const int n = partition.layers.empty() ? 0 : partition.layers.front().numExperts;
    if (header.numExperts != n) {
        return routerPath + " was trained on " + std::to_string(header.numExperts) +
               " experts per layer, but " + partitionPath + " now has " + std::to_string(n) +
               " (the partition was re-run after it); " + rerunAdvice(routerPath, header);
    }
    if (!header.partitionHash.empty() && header.partitionHash != partitionHash(partition)) {
        return routerPath + " was trained on another split of partition '" + header.partition +
               "' than " + partitionPath + " now holds (the partition was re-run after it); " +
               rerunAdvice(routerPath, header);
    }
    return {};
}

RouterSet loadRouterSet(const std::string& path,
                        const std::vector<std::shared_ptr<ExpertFfn>>& experts) {
    const auto document = readJsonFile(path, "moewb-router", kRouterVersion);
    const RouterFileHeader header = headerOf(document, path);
    // The experts must be the ones it was trained for, before any weight is read.
    auto refuse = [&](const std::string& why) {
        return std::runtime_error(path + " does not fit the partition it is loaded with (" + why +
                                  "); re-run the Routers step for it");
    };
    for (const auto& layer : experts) {
        if (layer->numExperts() != header.numExperts) {
            throw refuse("it routes over " + std::to_string(header.numExperts) +
                         " experts per layer, the partition has " +
                         std::to_string(layer->numExperts()));
        }
    }
    if (!header.partitionHash.empty() && header.partitionHash != partitionHash(experts)) {
        throw refuse("it was trained on another split of partition '" + header.partition + "'");
    }
    RouterSet set;
    set.kind = header.kind;
    set.partition = header.partition;
    set.model = header.model;
    set.numExperts = header.numExperts;
    set.partitionHash = header.partitionHash;
    set.contentHash = header.contentHash;
    try {
        const auto& layers = document.at("layers");
        if (layers.size() != experts.size()) {
            throw std::runtime_error("it has " + std::to_string(layers.size()) +
                                     " layers, the partition " + std::to_string(experts.size()));
        }
        const auto n = static_cast<std::size_t>(header.numExperts);
        for (std::size_t l = 0; l < layers.size(); ++l) {
            const auto& layer = layers[l];
            const std::string where = "layer " + std::to_string(l);
            set.quality.push_back({layer.at("recall").get<std::vector<double>>(),
                                   layer.at("mass_coverage").get<std::vector<double>>(),
                                   layer.value("load", std::vector<std::vector<double>>()),
                                   layer.value("load_cv", std::vector<double>())});
            // Sweeps and the CLI index these by K - 1 for every K up to N.
            const auto& quality = set.quality.back();
            const bool loadFits =
                std::all_of(quality.load.begin(), quality.load.end(),
                            [n](const auto& shares) { return shares.size() == n; });
            if (quality.recall.size() != n || quality.massCoverage.size() != n ||
                (!quality.load.empty() && quality.load.size() != n) ||
                (!quality.loadCv.empty() && quality.loadCv.size() != n) || !loadFits) {
                throw std::runtime_error(where + " has quality figures for " +
                                         std::to_string(quality.recall.size()) +
                                         " values of K, not for K = 1.." + std::to_string(n));
            }
            if (set.kind == "mlp") {
                const auto first = tensorFromJson(layer.at("first"), where + " 'first'");
                const auto second = tensorFromJson(layer.at("second"), where + " 'second'");
                const int64_t d = experts[l]->dModel();
                if (first.size(0) != int64_t(n) || first.size(1) != d ||
                    second.size(0) != int64_t(n) || second.size(1) != int64_t(n)) {
                    throw std::runtime_error(where + " has MLP weights for " +
                                             std::to_string(first.size(0)) + " experts of width " +
                                             std::to_string(first.size(1)) + ", the partition " +
                                             std::to_string(n) + " of width " + std::to_string(d));
                }
                set.layers.push_back(std::make_shared<MlpRouter>(first, second));
            } else if (set.kind == "gate") {
                const auto weight = tensorFromJson(layer.at("weight"), where + " 'weight'");
                if (weight.dim() != 2 || weight.size(0) != experts[l]->numExperts() ||
                    weight.size(1) != experts[l]->dModel()) {
                    throw std::runtime_error(where + "'s gate does not fit the partition's " +
                                             std::to_string(experts[l]->numExperts()) +
                                             " experts: fine-tune with this partition again");
                }
                set.layers.push_back(std::make_shared<GateRouter>(weight));
            } else if (set.kind == "similarity") {
                set.layers.push_back(std::make_shared<SimilarityRouter>(*experts[l]));
            } else if (set.kind == "oracle") {
                set.layers.push_back(std::make_shared<OracleRouter>());
            } else if (set.kind == "hash") {
                const int hashed =
                    jsonInteger<int>(layer.at("num_experts"), where + " num_experts");
                if (hashed != experts[l]->numExperts()) {
                    throw std::runtime_error(where + " hashes to " + std::to_string(hashed) +
                                             " experts, the partition has " +
                                             std::to_string(experts[l]->numExperts()));
                }
                set.layers.push_back(std::make_shared<HashRouter>(
                    jsonInteger<uint64_t>(layer.at("seed"), where + " seed"), hashed));
            } else {
                throw std::runtime_error("unknown router kind " + jsonQuote(set.kind));
            }
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": invalid router file (" + errorText(e) +
                                 "); re-run the Routers step");
    }
    return set;
}

}  // namespace moewb
