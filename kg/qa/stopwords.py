"""The words of English that never name a topic on their own."""

from __future__ import annotations

# Function words and question words of English: never a topic on their own. Domain words live in the graph.
STOPWORDS = frozenset(
    """a an the is are was were be been being am do does did done i me my mine you your it its this that
    these those there here what which who whom whose how why when where can could should would will
    shall may might must and or but nor not no to of for with in on at by from into onto off out up about as if
    then than so such some any all each every more most much many very just also too get gets got
    getting have has had having need needs want wants know tell give please thanks thank people someone
    person anyone anybody one ones out up exist exists existing available there's whats what's im i'm id
    i'd ive i've we us our they them their he she him her his hers yes ok okay like really actually
    generally usually typically kind sort hi hey hello thx lol tbh btw pls plz um umm hmm yeah yep nope
    ah oh wow ok cheers guys folks anyway basically honestly literally while ago since two three four
    five six seven eight nine ten first second isnt arent wasnt werent doesnt dont didnt wont cant
    shouldnt wouldnt couldnt havent hasnt eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand dozen couple
    nan nana grandma grandpa lads bro sis mate spoonies sceptic skeptic sceptical skeptical quack quackery
    mumbo jumbo hocus pocus woo
    fr rn ngl imo imho idk lmao omg u ur r n ya yea nah lowkey highkey cap bruh fam tho gonna wanna gotta
    kinda sorta dunno bc cuz coz abt smth sth asap fyi smh legit lemme gimme
    sorry dumb silly question quick wondered wondering reading read friend friends told
    message asking mum mom dad buddy mate wife husband daughter son grandson granddaughter only even still
    ever something anything someone somebody somewhere stuff rather ripoff scam""".split()
)
