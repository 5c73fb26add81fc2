/*
 * The list of common passwords that policy_password_check() refuses (see password.h).
 *
 * Written for Kairan, not copied from a leaked-password corpus: typical English and
 * Japanese choices (romaji names, cities, greetings, office words), keyboard walks, digit
 * runs, and the usual substitutions. Entries are lower case ASCII because the check folds
 * the candidate to lower case half-width before comparing. Order does not matter.
 */
#include "policy/password_common.h"

const char *const policy__password_common[] = {
    "!@#$%^&*",     "!@#$%^&*()",    "!qaz2wsx",     "00000000",     "0000000000",   "0123456789",   "0987654321",
    "11111111",     "1111111111",    "112233",       "11223344",     "112233445566", "121212",       "12121212",
    "123123",       "123123123",     "123123123123", "123321",       "1234!@#$",     "12344321",     "123454321",
    "123456",       "1234567",       "12345678",     "123456789",    "1234567890",   "12345678910",  "123456789a",
    "123456a",      "12345qwert",    "1234abcd",     "1234asdf",     "1234qwer",     "131313",       "147258369",
    "159357",       "159753",        "19700101",     "19800101",     "1985",         "1990",         "19900101",
    "1password",    "1q2w3e!q",      "1q2w3e4r",     "1q2w3e4r5t",   "1q2w3e4r5t6y", "1qaz2wsx",     "1qaz2wsx3edc",
    "1qazxsw2",     "2000",          "20000101",     "2010",         "2020",         "20200101",     "2024",
    "2025",         "22222222",      "2wsx3edc",     "33333333",     "44444444",     "55555555",     "654321",
    "666666",       "66666666",      "696969",       "741852963",    "77777777",     "789456123",    "88888888",
    "987654321",    "9876543210",    "99999999",     "a12345678",    "a123456789",   "a1b2c3d4",     "aa112233",
    "aa123456",     "aaaaaa",        "abc123",       "abc12345",     "abcabc",       "abcd1234",     "abcdefg",
    "abcdefgh",     "abcdefghij",    "access",       "access14",     "admin",        "admin1",       "admin123",
    "admin1234",    "administrator", "aishiteru",    "amanda",       "andrew",       "android",      "anpanman",
    "apple",        "arigato",       "arigatou",     "asdf1234",     "asdfasdf",     "asdfghjk",     "asdfghjkl",
    "asdfqwer",     "ashley",        "autumn",       "banana",       "baseball",     "batman",       "biwako",
    "blink182",     "buster",        "changeme",     "changeme1",    "changeme123",  "charlie",      "chat",
    "chat1234",     "cheese",        "chocolate",    "city",         "cityhall",     "computer",     "cookie",
    "corvette",     "daisuki",       "daniel",       "default",      "doraemon",     "dragon",       "ferrari",
    "flower",       "football",      "forever",      "fortnite",     "freedom",      "fujisan",      "fukuoka",
    "ganbare",      "ganbatte",      "genki",        "george",       "ginger",       "google",       "guest",
    "guest123",     "gundam",        "hana",         "hanako",       "harley",       "haruka",       "hellokitty",
    "hikari",       "himitsu",       "hiroshima",    "hokkaido",     "hunter",       "hunter2",      "ichiro",
    "iloveu",       "iloveyou",      "iloveyou1",    "internet",     "inu",          "iphone",       "japan",
    "japan123",     "jennifer",      "jessica",      "jinji",        "jordan",       "jordan23",     "joshua",
    "jouhou",       "kaikei",        "kairan",       "kairan123",    "kawaii",       "keyboard",     "kikaku",
    "killer",       "kitty",         "kobayashi",    "kobe",         "kokyo",        "konnichiwa",   "kouhou",
    "kusatsu",      "kusatsu1",      "kusatsushi",   "kyoto",        "letmein",      "letmein1",     "lgwan",
    "lgwan123",     "login",         "login123",     "logochat",     "love1234",     "lovely",       "loveme",
    "maggie",       "master",        "matrix",       "michael",      "microsoft",    "minecraft",    "momo",
    "monkey",       "mustang",       "mypassword",   "nagoya",       "nakamura",     "naruto",       "neko",
    "nekoneko",     "newpassword",   "nicole",       "nihon",        "nintendo",     "nippon",       "nothing",
    "office",       "office365",     "ohayou",       "ohtsu",        "okinawa",      "onepiece",     "orange",
    "osaka",        "otsu",          "p@$$w0rd",     "p@ssw0rd",     "p@ssw0rd!",    "p@ssw0rd1",    "p@ssword",
    "pa$$word",     "pa55w0rd",      "pa55word",     "pass",         "pass1234",     "pass12345",    "passpass",
    "passw0rd",     "passw0rd!",     "passwd",       "password",     "password!",    "password01",   "password1",
    "password12",   "password123",   "password1234", "password2020", "password2021", "password2022", "password2023",
    "password2024", "password2025",  "password2026", "pepper",       "pikachu",      "playstation",  "pokemon",
    "porsche",      "princess",      "q1w2e3r4",     "q1w2e3r4t5",   "qazwsx",       "qazwsxedc",    "qwe123",
    "qwe123qwe",    "qweasd",        "qweasdzxc",    "qweasdzxc123", "qwer1234",     "qwerasdf",     "qwerty",
    "qwerty1",      "qwerty12",      "qwerty123",    "qwerty1234",   "qwertyui",     "qwertyuiop",   "qwertyuiop123",
    "ranger",       "robert",        "root",         "sakamoto",     "sakana",       "sakura",       "sakura123",
    "sakura1234",   "samsung",       "sapporo",      "sato",         "satou",        "sayonara",     "secret",
    "secret123",    "sendai",        "shadow",       "shiga",        "shiyakusho",   "shiyakusyo",   "soccer",
    "somu",         "sora",          "soumu",        "spring",       "starwars",     "summer",       "sunshine",
    "superman",     "suzuki",        "takahashi",    "tanaka",       "taro",         "tarou",        "temp",
    "temp1234",     "temporary",     "test",         "test1234",     "test12345",    "testtest",     "thomas",
    "tigger",       "tokyo",         "tokyo2020",    "toor",         "totoro",       "trustno1",     "usagi",
    "user",         "user1234",      "watanabe",     "welcome",      "welcome1",     "welcome123",   "welcome2024",
    "whatever",     "windows",       "windows10",    "windows11",    "winter",       "yakusho",      "yamada",
    "yamadataro",   "yamadatarou",   "yamamoto",     "yokohama",     "yoshida",      "yuki",         "zaimu",
    "zaq!2wsx",     "zaq12wsx",      "zaq1zaq1",     "zxcvbnm",      "zxcvbnm,./",   "zxcvbnm123",
};

const size_t policy__password_common_count = sizeof(policy__password_common) / sizeof(policy__password_common[0]);
