"""Regenerate src/maadan/data/news/countries.csv: every ISO 3166-1 country (names from pycountry, the ISO
3166 maintenance agency's list as packaged by pycountry) with the short names, demonyms and capitals news
uses for it. The hand-kept table below holds what ISO does not: the names and adjectives of news prose
("DRC", "Saudi", "Congolese") and capitals read as their governments ("Islamabad said").

Usage (development only; pycountry is not a runtime dependency):
    .venv/bin/pip install pycountry && .venv/bin/python scripts/news_countries.py"""

from __future__ import annotations

import csv
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "maadan" / "data" / "news" / "countries.csv"
SOURCE = "ISO 3166-1 (pycountry {v}); news names, demonyms and capitals kept by hand"

# code: (name used in news, aliases, demonyms, capitals). Ambiguous words are left out on purpose: "Georgia"
# (a US state), "Jordan" and "Chad" (given names), "Guinea" alone, "Turkey" in lower case is a bird (the
# gazetteer matches case-insensitively, so only "Türkiye"/"Turkiye" and the name are kept).
NEWS = {
    "PK": ("Pakistan", "Islamic Republic of Pakistan", "Pakistani;Pakistanis", "Islamabad"),
    "US": ("United States", "US;U.S.;USA;U.S.A.;United States of America;America", "American;Americans",
           "Washington;Washington DC;Washington D.C.;Washington, D.C."),
    "CN": ("China", "People's Republic of China;PRC", "Chinese", "Beijing"),
    "IN": ("India", "", "Indian;Indians", "New Delhi"),
    "AF": ("Afghanistan", "", "Afghan;Afghans", "Kabul"),
    "IR": ("Iran", "Islamic Republic of Iran", "Iranian;Iranians", "Tehran"),
    "SA": ("Saudi Arabia", "Kingdom of Saudi Arabia;KSA", "Saudi;Saudis", "Riyadh"),
    "AE": ("United Arab Emirates", "UAE;Emirates", "Emirati;Emiratis", "Abu Dhabi"),
    "QA": ("Qatar", "", "Qatari", "Doha"),
    "KW": ("Kuwait", "", "Kuwaiti", ""),
    "OM": ("Oman", "", "Omani", "Muscat"),
    "BH": ("Bahrain", "", "Bahraini", "Manama"),
    "TR": ("Turkey", "Türkiye;Turkiye", "Turkish", "Ankara"),
    "GB": ("United Kingdom", "UK;U.K.;Britain;Great Britain", "British", "London"),
    "CA": ("Canada", "", "Canadian;Canadians", "Ottawa"),
    "JP": ("Japan", "", "Japanese", "Tokyo"),
    "DE": ("Germany", "", "German;Germans", "Berlin"),
    "AU": ("Australia", "", "Australian;Australians", "Canberra"),
    "NZ": ("New Zealand", "", "New Zealander", "Wellington"),
    "RU": ("Russia", "Russian Federation", "Russian;Russians", "Moscow"),
    "KZ": ("Kazakhstan", "", "Kazakh;Kazakhstani", "Astana"),
    "UZ": ("Uzbekistan", "", "Uzbek", "Tashkent"),
    "TM": ("Turkmenistan", "", "Turkmen", "Ashgabat"),
    "KG": ("Kyrgyzstan", "Kyrgyz Republic", "Kyrgyz", "Bishkek"),
    "TJ": ("Tajikistan", "", "Tajik", "Dushanbe"),
    "AZ": ("Azerbaijan", "", "Azerbaijani", "Baku"),
    "PT": ("Portugal", "", "Portuguese", "Lisbon"),
    "FR": ("France", "", "French", "Paris"),
    "KR": ("South Korea", "Republic of Korea", "South Korean;South Koreans", "Seoul"),
    "KP": ("North Korea", "Democratic People's Republic of Korea;DPRK", "North Korean", "Pyongyang"),
    "CL": ("Chile", "", "Chilean", "Santiago"),
    "AR": ("Argentina", "", "Argentine;Argentinian", "Buenos Aires"),
    "BR": ("Brazil", "", "Brazilian", "Brasilia;Brasília"),
    "BO": ("Bolivia", "", "Bolivian", "La Paz"),
    "PE": ("Peru", "", "Peruvian", "Lima"),
    "MX": ("Mexico", "", "Mexican", "Mexico City"),
    "CO": ("Colombia", "", "Colombian", "Bogota;Bogotá"),
    "CD": ("Democratic Republic of the Congo", "Democratic Republic of Congo;DR Congo;DRC;D.R. Congo;Congo-Kinshasa;"
           "Congo", "Congolese", "Kinshasa"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville;Republic of Congo", "", "Brazzaville"),
    "ZA": ("South Africa", "", "South African", "Pretoria"),
    "ZM": ("Zambia", "", "Zambian", "Lusaka"),
    "ZW": ("Zimbabwe", "", "Zimbabwean", "Harare"),
    "NA": ("Namibia", "", "Namibian", "Windhoek"),
    "BW": ("Botswana", "", "", "Gaborone"),
    "MZ": ("Mozambique", "", "Mozambican", "Maputo"),
    "AO": ("Angola", "", "Angolan", "Luanda"),
    "TZ": ("Tanzania", "", "Tanzanian", "Dodoma"),
    "KE": ("Kenya", "", "Kenyan", "Nairobi"),
    "UG": ("Uganda", "", "Ugandan", "Kampala"),
    "RW": ("Rwanda", "", "Rwandan", "Kigali"),
    "BI": ("Burundi", "", "Burundian", ""),
    "ET": ("Ethiopia", "", "Ethiopian", "Addis Ababa"),
    "SD": ("Sudan", "", "Sudanese", "Khartoum"),
    "EG": ("Egypt", "", "Egyptian", "Cairo"),
    "MA": ("Morocco", "", "Moroccan", "Rabat"),
    "DZ": ("Algeria", "", "Algerian", "Algiers"),
    "TN": ("Tunisia", "", "Tunisian", "Tunis"),
    "LY": ("Libya", "", "Libyan", "Tripoli"),
    "NG": ("Nigeria", "", "Nigerian", "Abuja"),
    "GH": ("Ghana", "", "Ghanaian", "Accra"),
    "ML": ("Mali", "", "Malian", "Bamako"),
    "NE": ("Niger", "", "Nigerien", "Niamey"),
    "GN": ("Guinea", "Republic of Guinea;Guinea-Conakry", "Guinean", "Conakry"),
    "SN": ("Senegal", "", "Senegalese", "Dakar"),
    "CI": ("Côte d'Ivoire", "Ivory Coast;Cote d'Ivoire", "Ivorian", ""),
    "MG": ("Madagascar", "", "Malagasy", "Antananarivo"),
    "ID": ("Indonesia", "", "Indonesian", "Jakarta"),
    "MY": ("Malaysia", "", "Malaysian", "Kuala Lumpur"),
    "TH": ("Thailand", "", "Thai", "Bangkok"),
    "VN": ("Vietnam", "Viet Nam", "Vietnamese", "Hanoi"),
    "PH": ("Philippines", "the Philippines", "Filipino;Philippine", "Manila"),
    "SG": ("Singapore", "", "Singaporean", ""),
    "MM": ("Myanmar", "Burma", "Burmese", "Naypyidaw"),
    "KH": ("Cambodia", "", "Cambodian", "Phnom Penh"),
    "LA": ("Laos", "Lao PDR", "Lao;Laotian", "Vientiane"),
    "BD": ("Bangladesh", "", "Bangladeshi", "Dhaka"),
    "LK": ("Sri Lanka", "", "Sri Lankan", "Colombo"),
    "NP": ("Nepal", "", "Nepali;Nepalese", "Kathmandu"),
    "MN": ("Mongolia", "", "Mongolian", "Ulaanbaatar"),
    "TW": ("Taiwan", "", "Taiwanese", "Taipei"),
    "HK": ("Hong Kong", "", "", ""),
    "IQ": ("Iraq", "", "Iraqi", "Baghdad"),
    "SY": ("Syria", "", "Syrian", "Damascus"),
    "IL": ("Israel", "", "Israeli", ""),
    "PS": ("Palestine", "", "Palestinian", ""),
    "LB": ("Lebanon", "", "Lebanese", "Beirut"),
    "YE": ("Yemen", "", "Yemeni", "Sanaa"),
    "UA": ("Ukraine", "", "Ukrainian;Ukrainians", "Kyiv;Kiev"),
    "BY": ("Belarus", "", "Belarusian", "Minsk"),
    "PL": ("Poland", "", "Polish", "Warsaw"),
    "CZ": ("Czech Republic", "Czechia", "Czech", "Prague"),
    "SK": ("Slovakia", "", "Slovak", "Bratislava"),
    "HU": ("Hungary", "", "Hungarian", "Budapest"),
    "RO": ("Romania", "", "Romanian", "Bucharest"),
    "BG": ("Bulgaria", "", "Bulgarian", "Sofia"),
    "RS": ("Serbia", "", "Serbian", "Belgrade"),
    "GR": ("Greece", "", "Greek", "Athens"),
    "IT": ("Italy", "", "Italian", "Rome"),
    "ES": ("Spain", "", "Spanish", "Madrid"),
    "NL": ("Netherlands", "the Netherlands;Holland", "Dutch", "Amsterdam;The Hague"),
    "BE": ("Belgium", "", "Belgian", "Brussels"),
    "LU": ("Luxembourg", "", "", ""),
    "CH": ("Switzerland", "", "Swiss", "Bern"),
    "AT": ("Austria", "", "Austrian", "Vienna"),
    "DK": ("Denmark", "", "Danish", "Copenhagen"),
    "GL": ("Greenland", "", "Greenlandic", "Nuuk"),
    "SE": ("Sweden", "", "Swedish", "Stockholm"),
    "NO": ("Norway", "", "Norwegian", "Oslo"),
    "FI": ("Finland", "", "Finnish", "Helsinki"),
    "IS": ("Iceland", "", "Icelandic", "Reykjavik"),
    "IE": ("Ireland", "", "Irish", "Dublin"),
    "EE": ("Estonia", "", "Estonian", "Tallinn"),
    "LV": ("Latvia", "", "Latvian", "Riga"),
    "LT": ("Lithuania", "", "Lithuanian", "Vilnius"),
    "VE": ("Venezuela", "", "Venezuelan", "Caracas"),
    "EC": ("Ecuador", "", "Ecuadorian", "Quito"),
    "CU": ("Cuba", "", "Cuban", "Havana"),
    "PA": ("Panama", "", "Panamanian", ""),
    "GY": ("Guyana", "", "Guyanese", "Georgetown"),
    "PG": ("Papua New Guinea", "PNG", "", "Port Moresby"),
}
SKIP_NAMES = {"GE", "JO", "TD", "JE", "GG"}  # Georgia, Jordan, Chad, Jersey, Guernsey: also a US state, given names, words


def main() -> None:
    import pycountry

    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = c.alpha_2
        iso = getattr(c, "common_name", None) or c.name
        if code in NEWS:
            name, aliases, demonyms, capitals = NEWS[code]
        elif code in SKIP_NAMES:
            continue
        else:
            name, aliases, demonyms, capitals = (iso if "," not in iso else c.name.split(",")[0]), "", "", ""
        extra = {iso, getattr(c, "official_name", "") or ""} - {name, ""}
        extra = {e for e in extra if "," not in e}
        aliases = ";".join(sorted(set(filter(None, aliases.split(";"))) | extra))
        rows.append([code, name, aliases, demonyms, capitals, SOURCE.format(v=pycountry.__version__ if hasattr(
            pycountry, "__version__") else "26.2.16")])
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "aliases", "demonyms", "capitals", "source"])
        w.writerows(rows)
    print(f"{OUT}: {len(rows)} countries")


if __name__ == "__main__":
    main()
