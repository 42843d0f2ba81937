#pragma once
// The 16 sentence pairs the tiny test models train on (NmtTestSupport.h) and the CLI tests write
// as a Moses corpus (CliTestSupport.h): a tiny model reproduces them after a few hundred epochs.

#include "moewb/corpus/ParallelCorpus.h"

#include <vector>

namespace moewb::test {

inline std::vector<SentencePair> sixteenPairs() {
    return {{"Ein Mann fährt Fahrrad.", "A man rides a bicycle."},
            {"Eine Frau liest ein Buch.", "A woman reads a book."},
            {"Zwei Hunde spielen im Park.", "Two dogs play in the park."},
            {"Das Wetter ist heute schön.", "The weather is nice today."},
            {"Kannst du mir bitte helfen?", "Can you help me, please?"},
            {"Ein Kind isst einen Apfel.", "A child eats an apple."},
            {"Die Katze schläft auf dem Sofa.", "The cat sleeps on the sofa."},
            {"Wir fahren morgen nach Berlin.", "We are going to Berlin tomorrow."},
            {"Ein Junge spielt Fußball.", "A boy plays football."},
            {"Zwei Frauen gehen die Straße entlang.", "Two women walk down the street."},
            {"Der Zug kommt um acht Uhr an.", "The train arrives at eight o'clock."},
            {"Ich trinke gern Kaffee.", "I like to drink coffee."},
            {"Ein Mann in einem roten Hemd singt.", "A man in a red shirt sings."},
            {"Es regnet seit gestern.", "It has been raining since yesterday."},
            {"Ein Hund rennt über die Wiese.", "A dog runs across the meadow."},
            {"Wo ist der Bahnhof?", "Where is the station?"}};
}

}  // namespace moewb::test
