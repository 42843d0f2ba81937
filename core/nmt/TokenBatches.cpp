#include "TokenBatches.h"

#include <torch/torch.h>

#include <algorithm>

namespace moewb {

std::vector<TokenPair> tokenizePairs(const SentencePieceModel& tokenizer,
                                     const std::vector<SentencePair>& pairs, int maxTokens) {
    std::vector<TokenPair> out;
    out.reserve(pairs.size());
    for (const auto& pair : pairs) {
        TokenPair t{tokenizer.encode(pair.source), tokenizer.encode(pair.target)};
        if (t.source.empty() || t.target.empty() ||
            static_cast<int>(t.source.size()) >= maxTokens ||
            static_cast<int>(t.target.size()) >= maxTokens) {
            continue;
        }
        t.source.push_back(SentencePieceModel::kEosId);
        out.push_back(std::move(t));
    }
    return out;
}

namespace {

TokenBatch buildBatch(const std::vector<const TokenPair*>& rows) {
    std::size_t srcLen = 0, tgtLen = 0;
    for (const auto* p : rows) {
        srcLen = std::max(srcLen, p->source.size());
        tgtLen = std::max(tgtLen, p->target.size() + 1);
    }
    const auto b = static_cast<int64_t>(rows.size());
    TokenBatch batch;
    batch.source =
        torch::full({b, static_cast<int64_t>(srcLen)}, SentencePieceModel::kPadId, torch::kLong);
    batch.targetIn =
        torch::full({b, static_cast<int64_t>(tgtLen)}, SentencePieceModel::kPadId, torch::kLong);
    batch.targetOut = batch.targetIn.clone();
    auto src = batch.source.accessor<int64_t, 2>();
    auto tin = batch.targetIn.accessor<int64_t, 2>();
    auto tout = batch.targetOut.accessor<int64_t, 2>();
    for (int64_t i = 0; i < b; ++i) {
        const auto& p = *rows[i];
        for (std::size_t j = 0; j < p.source.size(); ++j) {
            src[i][j] = p.source[j];
        }
        tin[i][0] = SentencePieceModel::kBosId;
        for (std::size_t j = 0; j < p.target.size(); ++j) {
            tin[i][j + 1] = p.target[j];
            tout[i][j] = p.target[j];
        }
        tout[i][p.target.size()] = SentencePieceModel::kEosId;
        batch.tokens += static_cast<int64_t>(p.source.size() + p.target.size() + 1);
        batch.targetTokens += static_cast<int64_t>(p.target.size() + 1);
    }
    return batch;
}

}  // namespace

std::vector<TokenBatch> makeBatches(const std::vector<const TokenPair*>& pairs, int maxBatchTokens,
                                    std::mt19937_64* rng) {
    std::vector<const TokenPair*> sorted = pairs;
    if (rng) {
        // Shuffle first so equal lengths land in different batches each epoch.
        std::shuffle(sorted.begin(), sorted.end(), *rng);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [](const TokenPair* a, const TokenPair* b) {
        return a->source.size() + a->target.size() < b->source.size() + b->target.size();
    });
    std::vector<TokenBatch> batches;
    std::vector<const TokenPair*> rows;
    std::size_t longest = 0;
    for (const auto* p : sorted) {
        const std::size_t length = p->source.size() + p->target.size() + 1;
        const std::size_t newLongest = std::max(longest, length);
        if (!rows.empty() &&
            newLongest * (rows.size() + 1) > static_cast<std::size_t>(maxBatchTokens)) {
            batches.push_back(buildBatch(rows));
            rows.clear();
            longest = 0;
        }
        rows.push_back(p);
        longest = std::max(longest, length);
    }
    if (!rows.empty()) {
        batches.push_back(buildBatch(rows));
    }
    if (rng) {
        std::shuffle(batches.begin(), batches.end(), *rng);
    }
    return batches;
}

}  // namespace moewb
