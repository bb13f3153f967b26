"""Students price sellers themselves: a seat engine on the outside-seller door, rooms, scoreboards and exports.

* :mod:`market.classroom.seats`: a market that waits for people's prices each repricing period;
* :mod:`market.classroom.prices`: the prices a seat may set, read from what a person typed;
* :mod:`market.classroom.scoreboard` and :mod:`market.classroom.replay`: results from the engine's records;
* :mod:`market.classroom.room` and :mod:`market.classroom.rooms`: a class's room, its pace, and the open rooms;
* :mod:`market.classroom.views`: what each page shows; :mod:`market.classroom.export`: the room's data.
"""
