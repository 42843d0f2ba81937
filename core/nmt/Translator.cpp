#include "moewb/nmt/Translator.h"

#include "moewb/nmt/StepDecoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

namespace moewb {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

torch::Tensor padBatch(const std::vector<std::vector<int>>& sequences) {
    std::size_t longest = 1;
    for (const auto& s : sequences) {
        longest = std::max(longest, s.size());
    }
    auto batch =
        torch::full({static_cast<int64_t>(sequences.size()), static_cast<int64_t>(longest)},
                    SentencePieceModel::kPadId, torch::kLong);
    auto access = batch.accessor<int64_t, 2>();
    for (std::size_t i = 0; i < sequences.size(); ++i) {
        for (std::size_t j = 0; j < sequences[i].size(); ++j) {
            access[i][j] = sequences[i][j];
        }
    }
    return batch;
}

// Log-probabilities of the next token; PAD and BOS can never be produced.
torch::Tensor nextLogProbs(const torch::Tensor& logits) {
    auto logp = torch::log_softmax(logits, -1);
    logp.select(1, SentencePieceModel::kPadId).fill_(kNegInf);
    logp.select(1, SentencePieceModel::kBosId).fill_(kNegInf);
    return logp;
}

// The decoder state of one search: StepDecoder, or LibTorch's DecoderCache + decodeStep when the
// options ask for the reference path.
class Stepper {
public:
    Stepper(const NmtModel& owner, TransformerImpl& model, const torch::Tensor& memory,
            const torch::Tensor& srcMask, const std::vector<int64_t>& limits, bool reference)
        : m_model(model) {
        if (reference) {
            m_cache = model.startDecoding(memory, srcMask);
        } else {
            m_fast.emplace(model, memory, srcMask, *std::max_element(limits.begin(), limits.end()),
                           owner.halfWeights());
        }
    }
    torch::Tensor step(const torch::Tensor& tokens) {
        return m_fast ? m_fast->step(tokens) : m_model.decodeStep(tokens, m_cache);
    }
    void select(const std::vector<int64_t>& rows) {
        if (m_fast) {
            m_fast->select(rows);
        } else {
            m_cache.select(torch::tensor(rows, torch::kLong));
        }
    }

private:
    TransformerImpl& m_model;
    std::optional<StepDecoder> m_fast;
    DecoderCache m_cache;
};

}  // namespace

Translator::Translator(std::shared_ptr<NmtModel> model) : m_model(std::move(model)) {
    if (!m_model) {
        throw std::invalid_argument("Translator needs a model");
    }
}

double Translator::lengthNormaliser(int64_t length, double alpha) {
    return std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha);
}

std::vector<Hypothesis> Translator::search(const std::vector<std::vector<int>>& sources,
                                           const DecodeOptions& options) const {
    if (options.beamSize < 1) {
        throw std::invalid_argument("beam size must be at least 1");
    }
    if (sources.empty()) {
        return {};
    }
    return options.beamSize == 1 ? greedySearch(sources, options) : beamSearch(sources, options);
}

namespace {

std::vector<int64_t> lengthLimits(const std::vector<std::vector<int>>& sources,
                                  const DecodeOptions& options, int maxPositions) {
    std::vector<int64_t> limits;
    for (const auto& s : sources) {
        const auto byRatio =
            static_cast<int64_t>(options.maxLengthRatio * static_cast<double>(s.size())) + 10;
        limits.push_back(std::max<int64_t>(
            1, std::min<int64_t>({byRatio, options.maxLength, maxPositions - 1})));
    }
    return limits;
}

}  // namespace

std::vector<Hypothesis> Translator::greedySearch(const std::vector<std::vector<int>>& sources,
                                                 const DecodeOptions& options) const {
    torch::InferenceMode inference;
    auto& transformer = m_model->transformer();
    const auto src = padBatch(sources);
    const auto srcMask = transformer->sourceMask(src);
    const auto limits = lengthLimits(sources, options, transformer->config().maxPositions);
    Stepper decoder(*m_model, *transformer, transformer->encode(src, srcMask), srcMask, limits,
                    options.referenceStep);

    std::vector<Hypothesis> out(sources.size());
    std::vector<int64_t> active(sources.size());
    std::iota(active.begin(), active.end(), 0);
    auto tokens = torch::full({static_cast<int64_t>(sources.size())}, SentencePieceModel::kBosId,
                              torch::kLong);
    for (int64_t step = 0; !active.empty(); ++step) {
        const auto logp = nextLogProbs(decoder.step(tokens));
        const auto best = logp.max(-1);
        const auto values = std::get<0>(best).contiguous();
        const auto indices = std::get<1>(best).contiguous();
        const float* value = values.data_ptr<float>();
        const int64_t* index = indices.data_ptr<int64_t>();
        std::vector<int64_t> keep, nextActive;
        for (std::size_t r = 0; r < active.size(); ++r) {
            Hypothesis& h = out[active[r]];
            h.logProb += value[r];
            const bool eos = index[r] == SentencePieceModel::kEosId;
            if (!eos) {
                h.tokens.push_back(static_cast<int>(index[r]));
            }
            if (eos || step + 1 >= limits[active[r]]) {
                h.score = h.logProb / lengthNormaliser(step + 1, options.lengthPenalty);
            } else {
                keep.push_back(static_cast<int64_t>(r));
                nextActive.push_back(active[r]);
            }
        }
        if (keep.size() != active.size() && !keep.empty()) {
            decoder.select(keep);
            tokens = indices.index_select(0, torch::tensor(keep, torch::kLong));
        } else {
            tokens = indices;
        }
        active = std::move(nextActive);
    }
    return out;
}

std::vector<Hypothesis> Translator::beamSearch(const std::vector<std::vector<int>>& sources,
                                               const DecodeOptions& options) const {
    torch::InferenceMode inference;
    auto& transformer = m_model->transformer();
    const int64_t k = options.beamSize;
    const int64_t vocab = transformer->config().vocabSize;
    const auto src = padBatch(sources);
    const auto srcMask = transformer->sourceMask(src);
    const auto memory = transformer->encode(src, srcMask);
    // k rows per sentence, laid out sentence-major.
    const auto expand = torch::arange(static_cast<int64_t>(sources.size())).repeat_interleave(k);
    const auto limits = lengthLimits(sources, options, transformer->config().maxPositions);
    Stepper decoder(*m_model, *transformer, memory.index_select(0, expand),
                    srcMask.index_select(0, expand), limits, options.referenceStep);

    std::vector<std::vector<Hypothesis>> finished(sources.size());
    std::vector<int64_t> active(sources.size());
    std::iota(active.begin(), active.end(), 0);
    std::vector<std::vector<int>> history(active.size() * k);
    // Only the first beam of each sentence is live at the start.
    std::vector<float> rowScores(active.size() * k, kNegInf);
    for (std::size_t a = 0; a < active.size(); ++a) {
        rowScores[a * k] = 0.0f;
    }
    auto tokens = torch::full({static_cast<int64_t>(rowScores.size())}, SentencePieceModel::kBosId,
                              torch::kLong);
    for (int64_t step = 0; !active.empty(); ++step) {
        const int64_t sentences = static_cast<int64_t>(active.size());
        const auto logp = nextLogProbs(decoder.step(tokens));
        const auto scores = torch::from_blob(rowScores.data(), {sentences * k, 1}).clone();
        const auto candidates = (scores + logp).view({sentences, k * vocab});
        const int64_t width = std::min<int64_t>(2 * k, k * vocab);
        const auto top = candidates.topk(width, -1);
        const auto topValues = std::get<0>(top).contiguous();
        const auto topIndices = std::get<1>(top).contiguous();
        const float* value = topValues.data_ptr<float>();
        const int64_t* index = topIndices.data_ptr<int64_t>();

        std::vector<int64_t> reorder, nextTokens, nextActive;
        std::vector<float> nextScores;
        std::vector<std::vector<int>> nextHistory;
        for (int64_t a = 0; a < sentences; ++a) {
            const int64_t sentence = active[a];
            const bool atLimit = step + 1 >= limits[sentence];
            std::vector<std::pair<int64_t, int64_t>> live;  // (row, token)
            std::vector<float> liveScores;
            for (int64_t c = 0; c < width; ++c) {
                const float v = value[a * width + c];
                if (v == kNegInf) {
                    break;
                }
                const int64_t row = a * k + index[a * width + c] / vocab;
                const int64_t token = index[a * width + c] % vocab;
                if (token == SentencePieceModel::kEosId) {
                    // EOS only counts when it ranks among the top k (as greedy does for k = 1).
                    if (c < k) {
                        finished[sentence].push_back(
                            {history[row], v,
                             v / lengthNormaliser(step + 1, options.lengthPenalty)});
                    }
                } else if (static_cast<int64_t>(live.size()) < k) {
                    live.emplace_back(row, token);
                    liveScores.push_back(v);
                }
            }
            if (atLimit) {
                for (std::size_t i = 0; i < live.size(); ++i) {
                    auto tokensSoFar = history[live[i].first];
                    tokensSoFar.push_back(static_cast<int>(live[i].second));
                    finished[sentence].push_back(
                        {tokensSoFar, liveScores[i],
                         liveScores[i] / lengthNormaliser(step + 1, options.lengthPenalty)});
                }
                live.clear();
            }
            if (static_cast<int64_t>(finished[sentence].size()) >= k || live.empty()) {
                continue;  // this sentence is done
            }
            nextActive.push_back(sentence);
            for (int64_t b = 0; b < k; ++b) {
                // Fewer than k live candidates: fill with dead copies that can never win.
                const bool real = b < static_cast<int64_t>(live.size());
                const auto& [row, token] = live[real ? b : 0];
                reorder.push_back(row);
                nextTokens.push_back(token);
                nextScores.push_back(real ? liveScores[b] : kNegInf);
                auto h = history[row];
                h.push_back(static_cast<int>(token));
                nextHistory.push_back(std::move(h));
            }
        }
        if (nextActive.empty()) {
            break;
        }
        decoder.select(reorder);
        tokens = torch::tensor(nextTokens, torch::kLong);
        rowScores = std::move(nextScores);
        history = std::move(nextHistory);
        active = std::move(nextActive);
    }
    std::vector<Hypothesis> out(sources.size());
    for (std::size_t s = 0; s < sources.size(); ++s) {
        auto& pool = finished[s];
        if (!pool.empty()) {
            out[s] = *std::max_element(pool.begin(), pool.end(), [](const auto& x, const auto& y) {
                return x.score < y.score;
            });
        }
    }
    return out;
}

std::vector<int> Translator::encodeSource(const NmtModel& model, const std::string& source) {
    const bool blank = source.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
    auto ids = blank ? std::vector<int>() : model.tokenizer().encode(source);
    if (ids.empty()) {
        return ids;
    }
    const int64_t maxSource = model.config().maxPositions - 1;
    if (static_cast<int64_t>(ids.size()) > maxSource - 1) {
        ids.resize(static_cast<std::size_t>(maxSource - 1));  // over-long input: truncate
    }
    ids.push_back(SentencePieceModel::kEosId);
    return ids;
}

std::vector<std::string> Translator::sourcePieces(const NmtModel& model,
                                                  const std::string& source) {
    std::vector<std::string> pieces;
    for (int id : encodeSource(model, source)) {
        pieces.push_back(id == SentencePieceModel::kEosId ? std::string("</s>")
                                                          : model.tokenizer().piece(id));
    }
    return pieces;
}

TranslationResult Translator::translate(const std::vector<std::string>& sources,
                                        const DecodeOptions& options, Feedback& feedback,
                                        const FfnPlan* plan) const {
    const FfnPlanScope planScope(plan ? plan : FfnPlanScope::current());
    if (options.batchSize < 1) {
        throw std::invalid_argument("batch size must be at least 1");
    }
    const auto start = std::chrono::steady_clock::now();
    const auto& tokenizer = m_model->tokenizer();
    TranslationResult result;
    std::vector<std::vector<int>> encoded;
    encoded.reserve(sources.size());
    // Sources with no token (empty or blank lines) translate to "" without running the model:
    // the model given only EOS would invent a word, and it would cost a batch slot.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        auto ids = encodeSource(*m_model, sources[i]);
        if (ids.empty()) {
            encoded.emplace_back();
            continue;
        }
        result.sourceTokens += static_cast<int64_t>(ids.size());
        encoded.push_back(std::move(ids));
        order.push_back(i);
    }
    // Decode in length order so batches waste little padding; restore the order afterwards.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return encoded[a].size() < encoded[b].size();
    });
    result.hypotheses.resize(sources.size());
    result.translations.resize(sources.size());
    for (std::size_t begin = 0; begin < order.size(); begin += options.batchSize) {
        feedback.throwIfCancelled();
        const std::size_t end = std::min(order.size(), begin + options.batchSize);
        std::vector<std::vector<int>> batch;
        for (std::size_t i = begin; i < end; ++i) {
            batch.push_back(encoded[order[i]]);
        }
        auto hypotheses = search(batch, options);
        for (std::size_t i = begin; i < end; ++i) {
            auto& h = hypotheses[i - begin];
            result.targetTokens += static_cast<int64_t>(h.tokens.size()) + 1;
            result.translations[order[i]] = tokenizer.decode(h.tokens);
            result.hypotheses[order[i]] = std::move(h);
        }
        feedback.setProgress(static_cast<double>(end) / order.size(),
                             "translated " + std::to_string(end) + " of " +
                                 std::to_string(order.size()) + " sentences");
    }
    if (order.empty()) {
        feedback.setProgress(1.0, "nothing to translate");
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace moewb
